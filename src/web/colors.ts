/**
 * Each collaborator's colour, from their user id: the same on every
 * device and in every session, and different enough between people.
 */
export function userColor(userId: string): { color: string; colorLight: string } {
  // FNV-1a: ids made a moment apart differ in their last characters only, which must still move the hue far.
  let hash = 0x811c9dc5;
  for (const character of userId) hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193);
  const hue = (hash >>> 0) % 360;
  return { color: hslToHex(hue, 70, 42), colorLight: `${hslToHex(hue, 70, 42)}33` };
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [name.trim()];
  return letters
    .map((word) => (word ?? "").charAt(0))
    .join("")
    .toUpperCase()
    .slice(0, 2);
}

/** y-codemirror.next mixes the colour into CSS with an alpha suffix: it wants #rrggbb. */
function hslToHex(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
