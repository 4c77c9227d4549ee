"""WCAG 2 contrast from the colours a browser computed.

``TEXT_COLOURS`` runs in a page with JavaScript on and lists, for every element with text of
its own, its text colour and the colour behind it (backgrounds with transparency composed
over what lies under them), with the font size and weight that decide what counts as large
text. ``FOCUS_RING`` focuses one control and reads its outline and the colour around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RGB = tuple[float, float, float]

_COLOUR_TOOLS = """
const parse = (value) => {
  const match = /rgba?\\(([^)]*)\\)/.exec(value);
  if (!match) throw new Error('unexpected colour ' + value);
  const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
};
const over = (top, under) => [0, 1, 2].map(
  (i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
const behind = (element) => {
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const colour = parse(getComputedStyle(e).backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
  }
  return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255, 1]);
};
"""

TEXT_COLOURS = (
    "() => {"
    + _COLOUR_TOOLS
    + """
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const own = [...element.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      .map((n) => n.textContent.trim()).join(' ');
    const style = getComputedStyle(element);
    if (!own || style.display === 'none' || style.visibility === 'hidden') continue;
    const background = behind(element);
    found.push({
      tag: element.tagName.toLowerCase(), text: own.slice(0, 60),
      colour: over(parse(style.color), background).slice(0, 3),
      background: background.slice(0, 3),
      size: parseFloat(style.fontSize), weight: parseInt(style.fontWeight, 10),
    });
  }
  return found;
}"""
)

FOCUS_RING = (
    "(element) => {"
    + _COLOUR_TOOLS
    + """
  element.focus();
  const style = getComputedStyle(element);
  return {
    focused: document.activeElement === element,
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    colour: parse(style.outlineColor).slice(0, 3),
    around: behind(element.parentElement).slice(0, 3),
  };
}"""
)


def luminance(rgb: RGB) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: RGB, second: RGB) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Text:
    tag: str
    text: str
    colour: RGB
    background: RGB
    size: float
    weight: int

    @classmethod
    def of(cls, found: dict[str, Any]) -> Text:
        return cls(
            found["tag"],
            found["text"],
            tuple(found["colour"]),
            tuple(found["background"]),
            found["size"],
            found["weight"],
        )

    @property
    def large(self) -> bool:
        """WCAG's large text: 18 pt, or 14 pt bold (24 px and 18.66 px at 96 dpi)."""
        return self.size >= 24 or (self.size >= 18.66 and self.weight >= 700)

    @property
    def needed(self) -> float:
        """AA: 4.5:1 for text, 3:1 for large text."""
        return 3.0 if self.large else 4.5

    @property
    def ratio(self) -> float:
        return ratio(self.colour, self.background)
