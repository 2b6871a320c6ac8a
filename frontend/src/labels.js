// Canvas labels that do not overlap: every label drawn in a frame claims its box; a node label
// (unless forced: the selected node, an explanation's nodes) or an edge label whose box would
// overlap one already drawn is left out. Node labels carry the node's kind on a second line;
// edge labels sit along their edge at the middle, or nearer an end when the middle is taken.

const HALO = "rgba(255,255,255,0.9)";

/** An oriented rectangle: centre, unit direction (u) and half extents along u and across. */
function box(cx, cy, ux, uy, hw, hh) {
  return { cx, cy, ux, uy, hw, hh };
}

function projectionsOverlap(a, b, ax, ay) {
  const reach = (r) => r.hw * Math.abs(r.ux * ax + r.uy * ay) + r.hh * Math.abs(-r.uy * ax + r.ux * ay);
  const distance = Math.abs((b.cx - a.cx) * ax + (b.cy - a.cy) * ay);
  return distance < reach(a) + reach(b);
}

/** Separating-axis test of two oriented rectangles. */
export function overlaps(a, b) {
  for (const r of [a, b]) {
    if (!projectionsOverlap(a, b, r.ux, r.uy) || !projectionsOverlap(a, b, -r.uy, r.ux)) return false;
  }
  return true;
}

export class LabelSpace {
  constructor() {
    this.nodes = []; // {id, box} of the node labels drawn this frame
    this.edges = []; // boxes of the edge labels drawn (sigma redraws them alone on hover)
  }

  /** A new frame: nothing drawn yet. */
  reset() {
    this.nodes = [];
    this.edges = [];
  }

  resetEdges() {
    this.edges = [];
  }

  free(candidate) {
    return !this.nodes.some((n) => overlaps(n.box, candidate)) && !this.edges.some((b) => overlaps(b, candidate));
  }

  /** Sigma's node label drawer: name (bold) and kind line, with a white halo. */
  drawNode(context, data, settings) {
    if (!data.label) return;
    const size = settings.labelSize;
    const x = data.x + data.size + 3;
    const y = data.y + size / 3;
    context.font = `600 ${size}px ${settings.labelFont}`;
    let width = context.measureText(data.label).width;
    if (data.kindLine) {
      context.font = `${size - 2}px ${settings.labelFont}`;
      width = Math.max(width, context.measureText(data.kindLine).width);
    }
    const lines = data.kindLine ? 2 : 1;
    const top = y - size;
    const height = size * lines + 4;
    const claimed = box(x + width / 2, top + height / 2, 1, 0, width / 2 + 2, height / 2);
    if (!data.forceLabel && !this.free(claimed)) return;
    this.nodes.push({ id: data.key, box: claimed });
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = HALO;
    context.font = `600 ${size}px ${settings.labelFont}`;
    context.strokeText(data.label, x, y);
    context.fillStyle = "#1d2330";
    context.fillText(data.label, x, y);
    if (data.kindLine) {
      context.font = `${size - 2}px ${settings.labelFont}`;
      context.strokeText(data.kindLine, x, y + size);
      context.fillStyle = "#5b6478";
      context.fillText(data.kindLine, x, y + size);
    }
  }

  /** Sigma's edge label drawer: the relationship type along the edge, where there is room. */
  drawEdge(context, edge, source, target, settings) {
    if (!edge.label) return;
    const size = settings.edgeLabelSize;
    context.font = `${size}px ${settings.edgeLabelFont}`;
    let dx = target.x - source.x;
    let dy = target.y - source.y;
    const length = Math.hypot(dx, dy) - source.size - target.size;
    const textLength = context.measureText(edge.label).width;
    if (length < textLength + 8) return; // no room: left out rather than cut
    dx /= length + source.size + target.size;
    dy /= length + source.size + target.size;
    // Text reads left to right: flip the direction when the edge points left.
    const [ux, uy] = dx < 0 ? [-dx, -dy] : [dx, dy];
    // The text sits just above its edge (the line never strikes it through).
    const gap = (edge.size || 1) / 2 + 2;
    const [nx, ny] = [uy, -ux];
    for (const at of [0.5, 0.7, 0.3]) {
      const along = source.size + length * at;
      const cx = source.x + dx * along;
      const cy = source.y + dy * along;
      const lift = gap + size * 0.4;
      const candidate = box(cx + nx * lift, cy + ny * lift, ux, uy, textLength / 2 + 2, size / 2 + 1);
      if (!edge.forceLabel && !this.free(candidate)) continue;
      this.edges.push(candidate);
      context.save();
      context.translate(cx, cy);
      context.rotate(Math.atan2(uy, ux));
      context.lineWidth = 3;
      context.strokeStyle = HALO;
      context.strokeText(edge.label, -textLength / 2, -gap);
      context.fillStyle = settings.edgeLabelColor.color;
      context.fillText(edge.label, -textLength / 2, -gap);
      context.restore();
      return;
    }
  }
}
