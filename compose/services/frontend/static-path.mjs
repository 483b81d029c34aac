// Which file under the static root answers a URL path (pure; tested in tests/server.test.ts).
import { join, sep } from "node:path";

/**
 * The path under `root` (absolute, normalised) that `pathname` names, or null when the path is
 * malformed or leaves root. The prefix check ends in a separator: "/srv/dist-secret" starts with
 * "/srv/dist" but is not inside it.
 */
export function staticPath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (decoded.includes("\0")) return null;
  const file = join(root, decoded); // join normalises "." and ".." segments
  const inside = root.endsWith(sep) ? root : root + sep;
  return file === root || file.startsWith(inside) ? file : null;
}
