// Category glyphs, drawn by hand on a 24×24 grid as stroked SVG path data. The same data
// draws the map's marker images (canvas Path2D, no sprite needed offline) and the inline
// SVG icons in the filters, list and card.

const c = (cx, cy, r) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
const dot = (x, y) => `M${x} ${y}h0.01`;

export const ICONS = {
  euro: 'M16.5 6.3a6.5 6.5 0 1 0 0 11.4M5 10.5h8M5 13.5h8',
  basket: 'M4 10h16l-2 9H6zM8.5 10l3-6M15.5 10l-3-6M10 13.5v3M14 13.5v3',
  health: 'M12 5v14M5 12h14',
  mind: 'M9 5a3 3 0 0 0-3 3 3 3 0 0 0-1 5 3 3 0 0 0 4 5h6a3 3 0 0 0 4-5 3 3 0 0 0-1-5 3 3 0 0 0-3-3 3 3 0 0 0-3 1 3 3 0 0 0-3-1zM12 6v12',
  home: 'M3.5 11.5L12 4l8.5 7.5M6 10v9.5h12V10M10 19.5v-5h4v5',
  bed: `M3 6v13M3 15h18v4M21 15v-2.5a3 3 0 0 0-3-3h-7V15${c(6.5, 11.5, 1.6)}`,
  bus: `M6 4h12a1 1 0 0 1 1 1v12H5V5a1 1 0 0 1 1-1zM5 11h14M8 20v-3M16 20v-3${dot(8.5, 14)}${dot(15.5, 14)}`,
  family: `${c(8, 6, 2.4)}${c(16, 6, 2.4)}M4 20v-5a4 4 0 0 1 8 0v5M12 20v-5a4 4 0 0 1 8 0v5`,
  elderly: `${c(10.5, 4.5, 2)}M10.5 8v6l-3 6M10.5 14l3 6M10.5 9.5l-3 3.5M10.5 9.5l4.5 2.5M17 12v8.5`,
  wheelchair: `${c(10, 4.2, 1.8)}M10 7.5v6.5h6l2 5M10 10.5h5M7.5 11.8a5 5 0 1 0 7.2 6.2`,
  info: `${c(12, 12, 9)}M12 11v6${dot(12, 7.5)}`,
  shield: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zM9 12l2 2 4-4',
  globe: `${c(12, 12, 9)}M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18`,
  briefcase: 'M4 8h16v11H4zM9 8V5h6v3M4 13h16',
  book: 'M4 5h6a2 2 0 0 1 2 2v13a2 2 0 0 0-2-2H4zM20 5h-6a2 2 0 0 0-2 2v13a2 2 0 0 1 2-2h6z',
  document: 'M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6',
  hands: 'M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z',
  building: 'M4 20h16M5 20V9l7-5 7 5v11M9 20v-7M12 20v-7M15 20v-7',
  young: `${c(12, 5, 2.4)}M12 8.5v6.5M12 15l-3 5M12 15l3 5M7.5 10.5l4.5 2 4.5-2`,
  woman: `${c(12, 5, 2.4)}M12 8.5l-4 8h8zM10.5 16.5v4M13.5 16.5v4`,
  pin: `M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z${c(12, 9.5, 2.5)}`,
};

export const FALLBACK = c(12, 12, 4);

export function iconPath(name) {
  return ICONS[name] || FALLBACK;
}
