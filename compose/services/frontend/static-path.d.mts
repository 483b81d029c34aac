// Types for static-path.mjs (plain JavaScript so the image runs it without a build step).
export function staticPath(root: string, pathname: string): string | null;
