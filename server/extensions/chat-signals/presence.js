// Who is online, across instances: each instance owns the status of its own sockets and
// tells the others through the bus; the global status of a user is the best one any
// instance reports. Pure state: no sockets, no clock of its own (times are passed in).

const RANK = { away: 1, online: 2 };

export class Presence {
	constructor(instance) {
		this.instance = instance;
		this.views = new Map(); // instance id -> { at, users: Map<user, status> }
		this.announced = new Map(); // user -> the global status last told to our sockets
	}

	// What one instance says of one user (status null: none of their sockets is there).
	// Returns the users whose global status changed, with the new status ('offline').
	set(instance, user, status, now) {
		const view = this.view(instance, now);
		if (status) view.users.set(user, status);
		else view.users.delete(user);
		return this.changes([user]);
	}

	// A full report of one instance (its beat), replacing what it said before.
	replace(instance, users, now) {
		const view = this.view(instance, now);
		const touched = new Set([...view.users.keys(), ...Object.keys(users)]);
		view.users = new Map(Object.entries(users));
		return this.changes(touched);
	}

	// Forget instances not heard from since `before` (stopped or cut off).
	expire(before) {
		const touched = new Set();
		for (const [instance, view] of this.views) {
			if (instance !== this.instance && view.at < before) {
				view.users.forEach((_, user) => touched.add(user));
				this.views.delete(instance);
			}
		}
		return this.changes(touched);
	}

	// An instance that said it is stopping.
	forget(instance) {
		const view = this.views.get(instance);
		this.views.delete(instance);
		return this.changes(view ? view.users.keys() : []);
	}

	status(user) {
		let best = null;
		for (const view of this.views.values()) {
			const status = view.users.get(user);
			if (status && (!best || RANK[status] > RANK[best])) best = status;
		}
		return best;
	}

	// Every user online or away: [{ user, status }].
	snapshot() {
		const users = new Set();
		for (const view of this.views.values()) view.users.forEach((_, user) => users.add(user));
		return [...users].map((user) => ({ user, status: this.status(user) }));
	}

	instances() {
		return this.views.size;
	}

	view(instance, now) {
		let view = this.views.get(instance);
		if (!view) this.views.set(instance, (view = { at: now, users: new Map() }));
		view.at = now;
		return view;
	}

	changes(users) {
		const changed = [];
		for (const user of users) {
			const status = this.status(user) ?? 'offline';
			if ((this.announced.get(user) ?? 'offline') !== status) {
				changed.push({ user, status });
				if (status === 'offline') this.announced.delete(user);
				else this.announced.set(user, status);
			}
		}
		return changed;
	}
}

// The status one instance reports for a user from that user's sockets there: online if
// any is active, away if all are away, null without any.
export function localStatus(connections) {
	let status = null;
	for (const connection of connections) {
		if (!connection.away) return 'online';
		status = 'away';
	}
	return status;
}
