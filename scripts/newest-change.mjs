import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * The latest modification time (ms) among `paths` and everything below them that `include` keeps. Folders count
 * too: deleting or renaming a file changes its folder's time.
 */
export async function newestChange(paths, include = () => true) {
  const times = await Promise.all(
    paths
      .filter((path) => include(path))
      .map(async (path) => {
        const info = await stat(path);
        if (!info.isDirectory()) return info.mtimeMs;
        const entries = await readdir(path);
        return Math.max(
          info.mtimeMs,
          await newestChange(
            entries.map((entry) => join(path, entry)),
            include,
          ),
        );
      }),
  );
  return Math.max(0, ...times);
}
