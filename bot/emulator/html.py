"""Telegram's HTML parse mode, re-implemented strictly enough to refuse what Telegram refuses.

The bot formats nearly every message with ``parse_mode="HTML"``; a single unescaped ``<`` in a
resident's name is enough for the real service to reject the whole message.  This parser follows
the algorithm of TDLib's ``parse_html`` (same tag set, same error wording, byte offsets counted in
UTF-8) so such bugs surface in offline tests.  It is deliberately *stricter* than Telegram in one
place: a bare ``&`` that does not start a known entity is refused (the Bot API documentation asks
for it to be escaped; Telegram merely tolerates it), because relying on that tolerance is fragile.

Entity offsets and lengths are expressed in UTF-16 code units, exactly like the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HtmlError", "parse_html", "utf16_len"]

# Tag name -> entity type created when the tag closes (special cases handled in code).
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "code", "pre", "blockquote", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_LINK_SCHEMES = ("http://", "https://", "tg://", "ton://", "mailto:")


class HtmlError(ValueError):
    """Carries Telegram's wording so the emulator can answer ``can't parse entities: <detail>``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def utf16_len(text: str) -> int:
    """Telegram counts lengths and offsets in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output where the tag's content starts
    byte_pos: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _is_space(ch: str) -> bool:
    return ch in " \t\r\n\f\v"


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decodes the character reference starting at ``pos`` (which holds ``&``).

    Returns the character and the index just past the reference, or ``None`` when the text is
    not a supported reference.  The trailing ``;`` is required here (TDLib tolerates its absence,
    the documentation does not).
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        digits = 0
        if end < n and text[end] in "xX":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
                digits += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while end < n and text[end].isascii() and text[end].isdigit():
                value = value * 10 + int(text[end])
                end += 1
                digits += 1
                if value >= 0x10FFFF:
                    return None
        if digits == 0 or value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end >= n or text[end] != ";":
        return None
    return char, end + 1


def _normalize_link(url: str) -> str | None:
    """Mimics Telegram's link check: bare domains become http links, odd schemes are dropped."""
    url = url.strip()
    if not url:
        return None
    lowered = url.lower()
    if lowered.startswith(_LINK_SCHEMES):
        return url
    if "://" in lowered or lowered.startswith(("javascript:", "data:", "file:")):
        return None
    host = url.split("/", 1)[0]
    if "." in host and " " not in host:
        return "http://" + url
    return None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parses Telegram-flavoured HTML into plain text plus Bot API ``MessageEntity`` dicts.

    Raises:
        HtmlError: with the same detail Telegram puts after ``can't parse entities:``.
    """
    out: list[str] = []
    utf16_offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                raise HtmlError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(text, i)}; "
                    'a bare "&" must be written as "&amp;"'
                )
            char, i = decoded
            out.append(char)
            utf16_offset += utf16_len(char)
            continue
        if ch != "<":
            out.append(ch)
            utf16_offset += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        byte_pos = _byte_offset(text, begin)
        i += 1
        if i < n and text[i] == "/":
            i = _close_tag(text, i, begin, byte_pos, stack, entities, utf16_offset)
            continue

        while i < n and not _is_space(text[i]) and text[i] != ">":
            i += 1
        if i >= n:
            raise HtmlError(f"Unclosed start tag at byte offset {byte_pos}")
        tag_name = text[begin + 1 : i].lower()
        if tag_name not in _SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag_name}" at byte offset {byte_pos}')

        argument = ""
        has_href = False
        while True:
            while i < n and _is_space(text[i]):
                i += 1
            if i >= n:
                raise HtmlError(f'Unclosed start tag "{tag_name}" at byte offset {byte_pos}')
            if text[i] == ">":
                i += 1
                break
            attr_begin = i
            while i < n and not _is_space(text[i]) and text[i] not in "=>":
                i += 1
            attr_name = text[attr_begin:i].lower()
            if not attr_name:
                raise HtmlError(f'Empty attribute name in the tag "{tag_name}" at byte offset {byte_pos}')
            while i < n and _is_space(text[i]):
                i += 1
            if i >= n or text[i] != "=":
                if tag_name == "blockquote" and attr_name == "expandable":
                    argument = "1"
                    continue
                raise HtmlError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag_name}" '
                    f"at byte offset {byte_pos}"
                )
            i += 1
            while i < n and _is_space(text[i]):
                i += 1
            if i >= n:
                raise HtmlError(f'Unclosed start tag "{tag_name}" at byte offset {byte_pos}')
            value, i = _attribute_value(text, i, byte_pos)
            if tag_name == "a" and attr_name == "href":
                argument = value
                has_href = True
            elif tag_name == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag_name == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag_name == "tg-emoji" and attr_name == "emoji-id":
                argument = value
            elif tag_name == "blockquote" and attr_name == "expandable":
                argument = "1"

        if tag_name == "span" and argument != "spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_pos}')
        if tag_name == "a" and (not has_href or not argument.strip()):
            raise HtmlError(f'Tag "a" must have a non-empty attribute "href" at byte offset {byte_pos}')
        if tag_name == "tg-emoji" and not argument.isdigit():
            raise HtmlError(f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset {byte_pos}')
        stack.append(_OpenTag(tag_name, argument, utf16_offset, byte_pos))

    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _attribute_value(text: str, i: int, byte_pos: int) -> tuple[str, int]:
    n = len(text)
    if text[i] not in "'\"":
        start = i
        while i < n and (text[i].isalnum() or text[i] in ".-"):
            i += 1
        if i >= n:
            raise HtmlError(f"Unclosed start tag at byte offset {byte_pos}")
        if not _is_space(text[i]) and text[i] != ">":
            raise HtmlError(f"Unexpected end of name token at byte offset {_byte_offset(text, start)}")
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    chars: list[str] = []
    while i < n and text[i] != quote:
        if text[i] == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
        chars.append(text[i])
        i += 1
    if i >= n:
        raise HtmlError(f"Unclosed start tag at byte offset {byte_pos}")
    return "".join(chars), i + 1


def _close_tag(
    text: str,
    i: int,
    begin: int,
    byte_pos: int,
    stack: list[_OpenTag],
    entities: list[dict[str, Any]],
    utf16_offset: int,
) -> int:
    """Handles ``</name>`` at ``begin``; returns the index just after it."""
    n = len(text)
    if not stack:
        raise HtmlError(f"Unexpected end tag at byte offset {byte_pos}")
    while i < n and not _is_space(text[i]) and text[i] != ">":
        i += 1
    end_name = text[begin + 2 : i].lower()
    while i < n and _is_space(text[i]):
        i += 1
    if i >= n or text[i] != ">":
        raise HtmlError(f"Unclosed end tag at byte offset {byte_pos}")
    i += 1
    tag = stack.pop()
    if end_name and end_name != tag.name:
        raise HtmlError(f'Unmatched end tag at byte offset {byte_pos}, expected "</{tag.name}>", found "</{end_name}>"')
    length = utf16_offset - tag.offset
    if length <= 0:
        return i
    entity: dict[str, Any] = {"offset": tag.offset, "length": length}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
    elif tag.name == "a":
        url = _normalize_link(tag.argument)
        if url is None:
            return i  # Telegram silently drops links it cannot use.
        entity.update(type="text_link", url=url)
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
    elif tag.name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
    elif tag.name == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == tag.offset
            and last["length"] == length
            and tag.argument
        ):
            last["language"] = tag.argument
            return i
        entity["type"] = "code"
        if tag.argument:
            entity["_language"] = tag.argument
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        same_span = last is not None and last["offset"] == tag.offset and last["length"] == length
        if last is not None and same_span and last["type"] == "code":
            language = last.pop("_language", None)
            last["type"] = "pre"
            if language:
                last["language"] = language
            return i
        entity["type"] = "pre"
    entities.append(entity)
    # A stray "_language" marker only matters for a <code> directly inside <pre>.
    for previous in entities[:-1]:
        previous.pop("_language", None)
    return i
