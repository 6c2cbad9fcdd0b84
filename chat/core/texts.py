"""The sentences for people that events carry (reasons, notices, errors): what
happened and what to do next. Some name the server's URL as ``{url}``."""

WRONG_PASSWORD = "Wrong email or password."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
ENDED_ELSEWHERE = ("You were signed out in another tab of this browser. Sign in again to "
                   "go on; nothing you typed is lost.")
UNREACHABLE = ("Can't reach the chat server at {url}. Check that it is running; "
               "we keep trying.")
UNREACHABLE_SIGN_IN = "Can't reach the chat server at {url}. Check that it is running."
CORS_REFUSED = ("The chat server at {url} refused this page's origin. Add this page's "
                "address to the server's CORS_ORIGIN setting.")
GAVE_UP = "Can't reach the chat server after {n} attempts."
NO_ACCESS = "Your account may not read the chat. Ask an administrator for the Chat User role."
SERVER_BUSY = "The server is busy; your message will be sent again in a moment."
NO_ANSWER = "Not sent: the server did not answer. It may have refused this message."
NOT_RESUMED = ("Not sent: your session has not reached the server yet. Your text stays "
               "here; send it once connected.")
TYPE_FIRST = "Type a message first."
TOO_LONG = "Messages can be at most {limit:,} characters; this one has {length:,}."


def sign_in_failed(body: object, status: int) -> str:
    """Why sign-in failed, from the first error message of a Directus error body."""
    try:
        return f"Sign-in failed: {body['errors'][0]['message']}"  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return f"Sign-in failed: the server answered {status}."
