"""The sentences for people that events carry (reasons, notices, errors): what
happened and what to do next. Some name the server's URL as ``{url}``."""

WRONG_PASSWORD = "Wrong email or password."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
ENDED_ELSEWHERE = ("You were signed out in another tab of this browser. Sign in again to "
                   "go on; nothing you typed is lost.")
UNREACHABLE = ("Can't reach the chat server at {url}. Check that it is running; "
               "we keep trying.")
UNREACHABLE_SIGN_IN = "Can't reach the chat server at {url}. Check that it is running."
OFFLINE_SIGN_IN = "You're offline: sign in once you're back online."
CORS_REFUSED = ("The chat server at {url} refused this page's origin. Add this page's "
                "address to the server's CORS_ORIGIN setting.")
GAVE_UP = "Can't reach the chat server after {n} attempts."
PROVISION = "python3 -m server.provision --url {url} --token ADMIN_TOKEN"
NO_ACCESS = ("Your account may not read the chat (it lacks the read permission on "
             "messages). Ask an administrator for the Chat User role; " + PROVISION
             + " --assign-chat-role gives it to every user without a role.")
NO_CREATE = ("Your account may read the chat but not post (it lacks the create permission "
             "on messages). Ask an administrator for the Chat User role; " + PROVISION
             + " --assign-chat-role gives it to every user without a role.")
COLLECTION_MISSING = ("The Directus at {url} has no messages collection. An administrator "
                      "can make it with: " + PROVISION)
FIELD_MISSING = ("The messages collection at {url} has no field {field}, which the chat "
                 "needs. An administrator can add it with: " + PROVISION)
FIELD_REFUSED = ("The chat could not read the field {field} of messages: it is missing, or "
                 "your account may not read it. An administrator can fix it with: "
                 + PROVISION)
SERVER_BUSY = "The server is busy; your message will be sent again in a moment."
NO_ANSWER = "Not sent: the server did not answer. It may have refused this message."
NOT_RESUMED = ("Not sent: your session has not reached the server yet. Your text stays "
               "here; send it once connected.")
TYPE_FIRST = "Type a message first."
TOO_LONG = "Messages can be at most {limit:,} characters; this one has {length:,}."
EDIT_REFUSED = "Not saved: the server refused this change ({why})."
EDIT_WINDOW_PASSED = ("Not saved: this message can no longer be changed (messages can be "
                      "edited or deleted for {minutes} minutes after sending).")
CHANGE_UNANSWERED = "Not saved: the server did not answer. Try again."
REACTION_REFUSED = "Your reaction was not saved: {why}."
CANNOT_CHANGE = "This message can no longer be edited or deleted."
ORIGINAL_GONE = "The original message was deleted."
READ_FAILED = "Could not load older messages ({why}). Scroll up to try again."
SEARCH_FAILED = "Search failed ({why}). Try again."
NO_ANSWER_READ = "the server did not answer"
HIT_GONE = "That message was deleted."


def sign_in_failed(body: object, status: int) -> str:
    """Why sign-in failed, from the first error message of a Directus error body."""
    try:
        return f"Sign-in failed: {body['errors'][0]['message']}"  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return f"Sign-in failed: the server answered {status}."


def subscription_refused(code: str, message: str, url: str) -> str:
    """Why the history cannot be read, from the subscription's error: the collection is
    missing (INVALID_COLLECTION), a field is (FORBIDDEN naming it: Directus puts the
    field between the first pair of double quotes), or the read permission."""
    if code == "INVALID_COLLECTION":
        return COLLECTION_MISSING.format(url=url)
    if " field " in message and message.count('"') >= 2:
        return FIELD_REFUSED.format(url=url, field=message.split('"')[1])
    return NO_ACCESS.format(url=url)
