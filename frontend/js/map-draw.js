// The map's marker and cluster images, drawn on a canvas: the offline style has no sprite and
// no glyphs, so the page draws its own (category colour and icon; the cluster's count).

import { iconPath } from './icons.js';

/** Device pixels per CSS pixel of every image (sharp on high-density screens). */
export const PIXEL_RATIO = 2;

/** A square canvas of `size` device pixels with a white disc filling it; its 2D context and radius. */
function whiteDisc(size) {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const r = size / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  return { ctx, r };
}

/** A round marker: category colour, white ring, white glyph. Returns ImageData. */
export function markerImage(colour, icon, sizeCss = 30) {
  const size = sizeCss * PIXEL_RATIO;
  const { ctx, r } = whiteDisc(size);
  ctx.beginPath();
  ctx.arc(r, r, r - 3 * PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = colour;
  ctx.fill();
  // A thin dark outline so light map backgrounds never swallow the marker.
  ctx.beginPath();
  ctx.arc(r, r, r - PIXEL_RATIO * 0.75, 0, Math.PI * 2);
  ctx.lineWidth = PIXEL_RATIO * 1.2;
  ctx.strokeStyle = 'rgba(0,0,0,0.55)';
  ctx.stroke();
  const glyph = size * 0.56;
  ctx.save();
  ctx.translate(r - glyph / 2, r - glyph / 2);
  ctx.scale(glyph / 24, glyph / 24);
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 2.2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.stroke(new Path2D(iconPath(icon)));
  ctx.restore();
  return ctx.getImageData(0, 0, size, size);
}

/** A cluster bubble with its count drawn in (the offline style has no glyphs for text). */
export function clusterImage(label) {
  const n = Number.parseFloat(label) * (/k$/.test(label) ? 1000 : 1);
  const sizeCss = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 46 : 52;
  const size = sizeCss * PIXEL_RATIO;
  const { ctx, r } = whiteDisc(size);
  ctx.lineWidth = PIXEL_RATIO * 1.2;
  ctx.strokeStyle = 'rgba(0,0,0,0.55)';
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(r, r, r - 4 * PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = '#123a63';
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const fontPx = (label.length > 3 ? 13 : 15) * PIXEL_RATIO;
  ctx.font = `bold ${fontPx}px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif`;
  ctx.fillText(label, r, r + PIXEL_RATIO * 0.5);
  return ctx.getImageData(0, 0, size, size);
}
