"""The page's Content-Security-Policy: the app runs under it, injected script does not."""

from tests.e2e.pages import close_chat, open_chat

INJECT = """() => {
  window.__ran = [];
  const script = document.createElement("script");
  script.textContent = "window.__ran.push('inline script')";
  document.body.append(script);
  const button = document.createElement("button");
  button.setAttribute("onclick", "window.__ran.push('inline handler')");
  document.body.append(button);
  button.click();
  button.remove();
  return window.__ran;
}"""


def test_the_app_works_under_the_policy_and_injected_inline_script_never_runs(browser,
                                                                              directus):
    chat = open_chat(browser, directus)
    policy = chat.page.locator('meta[http-equiv="Content-Security-Policy"]')
    rest, socket = directus.url, directus.url.replace("http://", "ws://")
    assert f"connect-src 'self' {rest} {socket};" in policy.get_attribute("content")
    chat.sign_in("alice")  # Python started and the socket is live under the policy
    assert chat.page.evaluate(INJECT) == []
    refused = [p for p in chat.problems if "Content Security Policy" in p]
    assert len(refused) == 2, chat.problems  # the browser refused both, and said so
    chat.problems = [p for p in chat.problems if p not in refused]
    close_chat(chat)
