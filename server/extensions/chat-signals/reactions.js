// A reaction only to a message the user may read. Directus checks no rows on a create, so
// without this anyone who knows the id of a message in a private channel (delete events
// carry ids to every subscriber) could react to it, and its members would see that.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^[1-9][0-9]{0,14}$/;

// The message id as the key flow makes it (unique_key.py), or null when it is no id of
// this type (the flow then sets it to null, which Directus refuses on its own).
function canonical(value, type) {
	const text = typeof value === 'number' ? String(value) : value;
	if (typeof text !== 'string') return null;
	if (type === 'uuid') return UUID.test(text) ? text.toLowerCase() : null;
	return INTEGER.test(text) ? Number(text) : null;
}

export function guardReactions(filter, services) {
	filter('reactions.items.create', async (payload, _meta, { database, schema, accountability }) => {
		const messages = schema.collections.messages;
		if (!accountability?.user || accountability.admin || !messages) return payload;
		const key = canonical(payload?.message, messages.fields[messages.primary].type);
		if (key === null) return payload;
		const service = new services.ItemsService('messages', { schema, accountability, knex: database });
		try {
			await service.readOne(key, { fields: [messages.primary] });
		} catch (error) {
			// No such message: let the foreign key say so (INVALID_FOREIGN_KEY), as before.
			if (await database('messages').where(messages.primary, key).first()) throw error;
		}
		return payload;
	});
}
