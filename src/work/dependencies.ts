/** Dependencies that are not done yet (pure): starting such a work package earns a warning. */
import type { WorkPackage } from "./work_package.ts";

function unfinishedDependencies(wp: WorkPackage, all: readonly WorkPackage[]): string[] {
  return wp.dependencies.flatMap((id) => {
    const dep = all.find((w) => w.id === id);
    if (!dep) return [`${id} (missing)`];
    return dep.lane === "done" ? [] : [`${id} (${dep.lane})`];
  });
}

export function dependencyWarning(wp: WorkPackage, all: readonly WorkPackage[]): string | null {
  const open = unfinishedDependencies(wp, all);
  return open.length === 0
    ? null
    : `${wp.id} depends on work that is not done yet: ${open.join(", ")}`;
}
