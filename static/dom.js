// Builds one message's DOM for chat/ui/messages.py in a single call. Each call from Python into
// the page costs microseconds and a message is about fifteen DOM operations plus two
// date formats: done here, a burst of messages renders about twice as fast.
// User text goes in as text (textContent, text nodes), never as HTML. Its parts (links,
// mentions) come from chat/ui/text.py; an address is made a link only if it is http(s).
"use strict";
window.chatDom = (function () {
  const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
  const WEB = /^https?:\/\/[^\s]/i;
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function avatar(initials, colour) {
    const node = el("span", "avatar", initials);
    node.setAttribute("aria-hidden", "true");
    node.style.backgroundColor = colour;
    return node;
  }
  // parts: "" (text is all plain), else JSON [[kind, text, value], ...]: "t" text,
  // "a" a link to value, "m" a mention of the user whose id is value.
  function text(content, parts, me) {
    const node = el("p", "text");
    if (!parts) {
      node.textContent = content;
      return node;
    }
    for (const [kind, part, value] of JSON.parse(parts)) {
      if (kind === "a" && WEB.test(value)) {
        const link = el("a", "link", part);
        link.href = value;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        node.append(link);
      } else if (kind === "m") {
        node.append(el("span", value === me ? "mention me" : "mention", part));
      } else {
        node.append(document.createTextNode(part));
      }
    }
    return node;
  }
  return {
    // created: ms since the epoch; when: "just now", "5 min ago" or a time of day;
    // me: the reader's id (a mention of them is shown specially), or "".
    message(id, own, author, created, when, edited, content, parts, initials, colour, me,
            mentionsMe) {
      const node = el("article", own ? "msg own" : "msg");
      if (mentionsMe) node.classList.add("mentions-me");
      node.dataset.id = id;
      const meta = el("p", "meta");
      const stamp = el("time", "when", when);
      const date = new Date(created);
      stamp.dateTime = date.toISOString();
      stamp.title = full.format(date);
      meta.append(avatar(initials, colour), el("span", "author", author), stamp);
      if (edited) meta.append(el("span", "edited", "edited"));
      if (own) meta.append(el("span", "state", "Sent"));
      if (mentionsMe) meta.append(el("span", "for-me", "mentions you"));
      node.append(meta, text(content, parts, me));
      return node;
    },
    // The "⋯" button that opens a message's menu (chat/ui/conversation.py), in one call.
    actionsButton(node, label) {
      const button = el("button", "msg-actions", "⋯");
      button.type = "button";
      button.setAttribute("aria-haspopup", "menu");
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", label);
      node.append(button);  // not in .meta: a continued message hides its meta
    },
    avatar,
    // Shows an avatar image (a blob URL) in an avatar element, over its initials.
    showAvatar(node, url) {
      const image = document.createElement("img");
      image.alt = "";
      image.src = url;
      node.replaceChildren(image);
      node.classList.add("image");
    },
  };
})();
