// Directus hook: presence and typing for the chat, carried over Directus' own socket
// (/websocket) and never written to the database. The frames are in docs/CHANNELS.md.
//
// Each instance keeps the sockets that said `chat-hello`; what others must know (a user's
// status here, someone typing) goes through Directus' message bus, which is Redis when
// Directus is configured with one (several instances) and in-process otherwise. Every
// instance handles every bus message, its own included, and sends to its own sockets.
//
// It also refuses a reaction to a message the user may not read (reactions.js).

import { randomUUID } from 'node:crypto';
import { localStatus, Presence } from './presence.js';
import { guardReactions } from './reactions.js';

const VERSION = 1;
const BUS_CHANNEL = 'chat-signals';
const GRACE = 5000; // a user is offline this long after their last socket here closed
const BEAT = 10000; // each instance reports all its users this often
const INSTANCE_TIMEOUT = 25000; // an instance not heard from this long is gone (2 beats missed)
const PING_AFTER = 10000; // a socket quiet this long is pinged...
const STALE_AFTER = 20000; // ...and closed when quiet this long (network lost)
const TYPING_INTERVAL = 3000; // clients send `typing` at most this often while typing
const TYPING_MIN_GAP = 2500; // the server relays at most one per user and channel this often
const TYPING_TTL = 5000; // receivers show "typing" this long after the last signal
const ACCESS_TTL = 10000; // how long "this user may read this channel" is reused
const MEMBERS_TTL = 5000; // how long a channel's member list is reused
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default ({ action, filter }, { services, getSchema, database, logger }) => {
	guardReactions(filter, services);
	const instance = randomUUID();
	const presence = new Presence(instance);
	const sockets = new Map(); // client -> { client, user, away, seen }
	const published = new Map(); // user -> the status this instance last told the others
	const leaving = new Map(); // user -> timer: offline after GRACE unless they come back
	const typing = new Map(); // "user channel" -> when this instance last relayed it
	const access = new Map(); // "user channel" -> { allowed, until }
	const members = new Map(); // channel -> { users: Set, until }
	let bus = null;
	let timers = [];

	const publish = (message) => bus?.publish(BUS_CHANNEL, { ...message, from: instance });
	const send = (socket, frame) => socket.client.send(JSON.stringify(frame));
	const socketsOf = (user) => [...sockets.values()].filter((s) => s.user === user);

	function announce(changes) {
		for (const { user, status } of changes)
			for (const socket of sockets.values()) send(socket, { type: 'chat-presence', user, status });
	}

	// Tell the others this user's status here if it changed; going offline waits GRACE
	// (a reload is not a departure) unless `now`.
	function report(user, now = false) {
		const status = localStatus(socketsOf(user));
		clearTimeout(leaving.get(user));
		leaving.delete(user);
		const gone = () => {
			leaving.delete(user);
			published.delete(user);
			publish({ kind: 'presence', user, status: null });
		};
		if (status === null && published.has(user)) {
			if (now) gone();
			else leaving.set(user, setTimeout(gone, GRACE).unref());
		} else if (status !== null && published.get(user) !== status) {
			published.set(user, status);
			publish({ kind: 'presence', user, status });
		}
	}

	async function onBus(message) {
		const now = Date.now();
		if (message.kind === 'presence') announce(presence.set(message.from, message.user, message.status, now));
		else if (message.kind === 'beat') announce(presence.replace(message.from, message.users, now));
		else if (message.kind === 'sync' && message.from !== instance) beat();
		else if (message.kind === 'bye' && message.from !== instance) announce(presence.forget(message.from));
		else if (message.kind === 'members') members.clear();
		else if (message.kind === 'typing') await deliverTyping(message);
	}

	function beat() {
		publish({ kind: 'beat', users: Object.fromEntries(published) });
	}

	async function deliverTyping({ user, channel, stop }) {
		const local = [...sockets.values()].filter((s) => s.user !== user);
		if (local.length === 0) return;
		const allowed = await membersOf(channel);
		const frame = { type: 'chat-typing', channel, user, ...(stop ? { stop: true } : {}) };
		for (const socket of local) if (allowed.has(socket.user)) send(socket, frame);
	}

	async function membersOf(channel) {
		const cached = members.get(channel);
		if (cached && cached.until > Date.now()) return cached.users;
		const rows = await database('channel_members').select('user').where({ channel });
		const users = new Set(rows.map((row) => row.user));
		members.set(channel, { users, until: Date.now() + MEMBERS_TTL });
		return users;
	}

	async function mayRead(accountability, channel) {
		const key = `${accountability.user} ${channel}`;
		const cached = access.get(key);
		if (cached && cached.until > Date.now()) return cached.allowed;
		let allowed = true;
		try {
			const channels = new services.ItemsService('channels', { schema: await getSchema(), accountability });
			await channels.readOne(channel, { fields: ['id'] });
		} catch {
			allowed = false;
		}
		access.set(key, { allowed, until: Date.now() + ACCESS_TTL });
		return allowed;
	}

	async function isChatUser(accountability) {
		if (!accountability?.user) return false;
		try {
			const channels = new services.ItemsService('channels', { schema: await getSchema(), accountability });
			await channels.readByQuery({ fields: ['id'], limit: 1 });
			return true;
		} catch {
			return false;
		}
	}

	async function hello(client, message) {
		const uid = message.uid;
		if (!(await isChatUser(client.accountability))) {
			client.send(JSON.stringify({ type: 'chat-hello', status: 'error', uid,
				error: { code: 'FORBIDDEN', message: 'Presence and typing are for signed-in chat users.' } }));
			return;
		}
		const user = client.accountability.user;
		sockets.set(client, { client, user, away: message.away === true, seen: Date.now() });
		client.send(JSON.stringify({ type: 'chat-hello', status: 'ok', uid, version: VERSION,
			presence: presence.snapshot(),
			typing: { interval: TYPING_INTERVAL / 1000, ttl: TYPING_TTL / 1000 } }));
		report(user);
	}

	async function onTyping(socket, message) {
		const { channel } = message;
		const error = (code, text) => send(socket, { type: 'chat-typing', status: 'error', channel,
			error: { code, message: text } });
		if (typeof channel !== 'string' || !UUID.test(channel)) return error('INVALID_PAYLOAD', 'channel must be a channel id.');
		const key = `${socket.user} ${channel}`;
		const now = Date.now();
		if (message.stop === true) {
			if (now - (typing.get(key) ?? -Infinity) > TYPING_TTL) return;
			typing.delete(key);
			publish({ kind: 'typing', user: socket.user, channel, stop: true });
			return;
		}
		if (now - (typing.get(key) ?? -Infinity) < TYPING_MIN_GAP) return;
		typing.set(key, now);
		if (!(await mayRead(socket.client.accountability, channel))) {
			typing.delete(key);
			return error('FORBIDDEN', 'You may not use this channel.');
		}
		publish({ kind: 'typing', user: socket.user, channel });
	}

	function leave(client, stale = false) {
		const socket = sockets.get(client);
		if (!socket) return;
		sockets.delete(client);
		if (socketsOf(socket.user).length === 0) {
			// Their last socket here is gone: whatever they were typing, they stopped.
			for (const [key, at] of [...typing]) {
				const [user, channel] = key.split(' ');
				if (user !== socket.user) continue;
				typing.delete(key);
				if (Date.now() - at <= TYPING_TTL) publish({ kind: 'typing', user, channel, stop: true });
			}
		}
		report(socket.user, stale);
	}

	function sweep() {
		const now = Date.now();
		for (const socket of [...sockets.values()]) {
			if (now - socket.seen > STALE_AFTER) {
				leave(socket.client, true); // silent for STALE_AFTER already: no grace
				socket.client.terminate();
			} else if (now - socket.seen > PING_AFTER) {
				socket.client.send(JSON.stringify({ type: 'ping' }));
			}
		}
		for (const [key, at] of typing) if (now - at > TYPING_TTL) typing.delete(key);
		announce(presence.expire(now - INSTANCE_TIMEOUT));
	}

	action('server.start', async () => {
		let relay;
		try {
			const { useBus } = await import('@directus/api/bus/index');
			bus = useBus();
			relay = bus.constructor.name === 'BusRedis' ? 'Redis' : 'this process';
		} catch (error) {
			logger.warn(`chat-signals: Directus' bus is not available (${error}); presence and typing reach only this instance's sockets.`);
			bus = localBus();
			relay = 'this process only';
		}
		await bus.subscribe(BUS_CHANNEL, (message) => onBus(message).catch((error) => logger.error(error)));
		timers = [setInterval(sweep, 5000).unref(), setInterval(beat, BEAT).unref()];
		publish({ kind: 'sync' });
		beat();
		logger.info(`chat-signals ${VERSION}: presence and typing relayed through ${relay}`);
	});

	action('server.stop', () => {
		timers.forEach(clearInterval);
		publish({ kind: 'bye' }); // the others forget our users now, not after INSTANCE_TIMEOUT
	});

	action('websocket.message', async ({ client, message }) => {
		const socket = sockets.get(client);
		if (socket) socket.seen = Date.now();
		if (typeof message.type !== 'string' || !message.type.startsWith('chat-')) return;
		if (message.type === 'chat-hello') return hello(client, message);
		if (!socket || client.accountability?.user !== socket.user) {
			// Not said hello, or signed in as someone else since, or the token expired.
			return client.send(JSON.stringify({ type: message.type, status: 'error',
				error: { code: 'INVALID_PAYLOAD', message: 'Send chat-hello first (after auth).' } }));
		}
		if (message.type === 'chat-presence') {
			socket.away = message.away === true;
			report(socket.user);
		} else if (message.type === 'chat-typing') {
			await onTyping(socket, message);
		}
	});

	action('websocket.auth.success', ({ client }) => {
		const socket = sockets.get(client);
		if (socket && client.accountability?.user !== socket.user) leave(client);
	});
	action('websocket.close', ({ client }) => leave(client));
	action('websocket.error', ({ client }) => leave(client));

	// Someone joined or left somewhere: every instance forgets its member lists.
	action('channel_members.items.create', () => publish({ kind: 'members' }));
	action('channel_members.items.delete', () => publish({ kind: 'members' }));
};

// The bus of a single process, for when Directus' own cannot be loaded.
function localBus() {
	const handlers = new Set();
	return {
		publish: async (_channel, message) => handlers.forEach((handler) => handler(message)),
		subscribe: async (_channel, handler) => handlers.add(handler),
	};
}
