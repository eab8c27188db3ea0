"""What uploaded images cost a publish: two embedded projects with the same pages, one whose pages show
1,000 uploaded images and one whose pages show as many images hosted elsewhere, each published in full and
then, in alternating rounds, incrementally after a one-line edit that adds no image.

    .venv/bin/python bench/images_publish.py [--images 1000] [--pages 500] [--rounds 5] [--json FILE]

The images go in through the image service (`store_image`, as every upload does: inspection,
re-encoding, blob store, srcset variants); each page shows `--images / --pages` of them. Per incremental
publish the job's image steps are timed on their own — finding the images the pages name
(`site_images`), pointing the pages at their published files (`with_images`) and hard-linking the files a
slot lacks (`place_images`) — in CPU time, and the publish itself is timed from the dry run to `succeeded`
(wall and CPU time of the process and its helpers). Target: with no new image, the image steps add under
2 % to the incremental publish.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image
from publish import edit_one, import_corpus, profile_job_threads, timed_publish, write_corpus

from comstack_core import Core, Principal, Settings
from comstack_core.publishing import plan, runner
from comstack_core.schemas import PlanUpdate, ProjectCreate, UserCreate

IMAGE_STEPS = ("site_images", "with_images", "place_images")


def small_photo(seed: int) -> bytes:
    """A distinct 640x480 JPEG (so 1,000 uploads make 1,000 images, each with one 480 px variant)."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").rotate(rng.randrange(360)).resize((640, 480))
    colour = Image.merge("RGB", (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), image.rotate(90)))
    colour.putpixel((rng.randrange(640), rng.randrange(480)), (rng.randrange(256), 0, 0))
    out = io.BytesIO()
    colour.save(out, format="JPEG", quality=80)
    return out.getvalue()


class StepClock:
    """Wraps the image steps of the job (the runner) and of the dry run's check (the plan) to add up the
    CPU time spent in each (on a shared machine, wall time mostly measures waiting for a core)."""

    def __init__(self) -> None:
        self.spent = dict.fromkeys(IMAGE_STEPS, 0.0)
        self.by_step: dict[str, list[float]] = {name: [] for name in IMAGE_STEPS}

    def install(self) -> None:
        for module in (runner, plan):
            for name in IMAGE_STEPS:
                original = getattr(module, name)
                wrapped = (
                    self._async(name, original) if asyncio.iscoroutinefunction(original) else self._sync(name, original)
                )
                setattr(module, name, wrapped)

    def _sync(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            started = time.thread_time()
            try:
                return original(*args)
            finally:
                self.spent[name] += time.thread_time() - started

        return timed

    def _async(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        async def timed(*args: Any) -> Any:
            started = time.thread_time()  # nothing else runs on the loop meanwhile in this benchmark
            try:
                return await original(*args)
            finally:
                self.spent[name] += time.thread_time() - started

        return timed

    def take(self) -> float:
        total = sum(self.spent.values())
        for name, spent in self.spent.items():
            self.by_step[name].append(spent)
        self.spent = dict.fromkeys(IMAGE_STEPS, 0.0)
        return total


@dataclass
class Project:
    label: str
    pid: str
    name: str
    corpus: Path
    files: list[Path]
    figures: dict[str, Any] = field(default_factory=dict)
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    image_s: list[float] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)


async def prepare(
    core: Core, me: Principal, system: Principal, label: str, work: Path, pages: int, images: list[bytes],
    clock: StepClock, uploaded: bool,
) -> Project:
    """A project whose pages each show their share of ``images``: uploaded (`image:` references), or the
    same number of figures hosted elsewhere, so both sites carry as many figures in the same text."""
    corpus = work / f"corpus-{label}"
    files = write_corpus(pages, corpus)
    project = await core.projects.create_project(me, ProjectCreate(name=f"Images {label}"))
    pid = project.id
    quota_mb = 10 + sum(len(i) for i in images) * 3 // 1_000_000
    await core.plans.update_plan(
        system, pid, PlanUpdate(tier="standard", quotas={"max_pages": len(files) + 10, "max_image_mb": quota_mb})
    )
    refs: list[str] = []
    started = time.perf_counter()
    for k, data in enumerate(images):
        if uploaded:
            view = await core.images.store_image(me, pid, data, alt=f"Figure {k}")
            refs.append(view.reference)
        else:
            refs.append(f"https://images.example.org/figure-{k}.jpg")
    out = Project(label, pid, project.name, corpus, files)
    out.figures["upload_s"] = round(time.perf_counter() - started, 2) if uploaded else 0.0
    out.figures["images"] = len(refs) if uploaded else 0
    out.figures["external_images"] = 0 if uploaded else len(refs)
    per_page = -(-len(refs) // len(files))  # each page shows its share, after its text
    for n, path in enumerate(files):
        shown = refs[n * per_page : (n + 1) * per_page]
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "".join(f"\n![Figure {r}]({r})\n" for r in shown), encoding="utf-8")
    await import_corpus(core, me, pid, corpus, files)
    clock.take()
    full = await timed_publish(core, me, pid, out.name, None)
    out.figures["full_wall_s"] = round(full.wall, 3)
    out.figures["full_image_steps_s"] = round(clock.take(), 3)
    return out


async def one_round(
    core: Core, me: Principal, project: Project, k: int, clock: StepClock, profile: Path | None
) -> None:
    """A one-line edit that adds no image, then an incremental publish, timed."""
    slug = project.files[(k * 7919) % len(project.files)].relative_to(project.corpus).with_suffix("").as_posix()
    await edit_one(core, me, project.pid, project.name, slug, f"\nOne more line ({k}).\n")
    stop_thread_profiles = None
    if profile is not None:  # the build and the gate run in worker threads: profile those calls too
        stop_thread_profiles = profile_job_threads(profile.parent / f"{profile.stem}-threads")
    clock.by_step = {step: [] for step in IMAGE_STEPS}
    done = await timed_publish(core, me, project.pid, project.name, profile)
    if stop_thread_profiles is not None:
        stop_thread_profiles()
    project.walls.append(done.wall)
    project.cpus.append(done.cpu)
    project.image_s.append(clock.take())
    project.steps = {step: clock.by_step[step][-1] for step in IMAGE_STEPS}


def figures_of(project: Project) -> dict[str, Any]:
    return {
        **project.figures,
        "incremental_wall_s": [round(w, 3) for w in project.walls],
        "incremental_image_steps_s": [round(s, 4) for s in project.image_s],
        "incremental_cpu_s": [round(c, 3) for c in project.cpus],
        "incremental_median_s": round(statistics.median(project.walls), 3),
        "incremental_cpu_median_s": round(statistics.median(project.cpus), 3),
        "image_steps_median_s": round(statistics.median(project.image_s), 4),
        "last_incremental_steps_s": {step: round(v, 4) for step, v in project.steps.items()},
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    clock = StepClock()
    clock.install()
    print(f"generating {args.images} images...", file=sys.stderr)
    images = [small_photo(seed) for seed in range(args.images)]
    with tempfile.TemporaryDirectory(prefix="comstack-bench-images-publish-") as tmp:
        work = Path(tmp)
        settings = Settings(data_dir=work / "data", public_url="https://docs.example.com")
        async with Core.open(settings) as core:
            system = Principal.system(door="script")
            user = await core.users.create_user(system, UserCreate(email="bench-images@example.com"))
            me = await core.users.principal_for_user(user.id, door="script")
            projects = []
            for label, uploaded in (("without_images", False), ("with_images", True)):
                print(f"{label}: uploading, importing and publishing...", file=sys.stderr)
                projects.append(await prepare(core, me, system, label, work, args.pages, images, clock, uploaded))
            # The rounds alternate between the two projects, so that a change in how busy the machine is
            # weighs on both alike.
            for k in range(args.rounds):
                for project in projects:
                    profile = None
                    if args.profile is not None and k == args.rounds - 1:
                        profile = args.profile.with_name(f"{args.profile.stem}-{project.label}{args.profile.suffix}")
                    await one_round(core, me, project, k, clock, profile)
            out: dict[str, Any] = {"pages": args.pages, "rounds": args.rounds}
            out.update({project.label: figures_of(project) for project in projects})
    with_images, without = out["with_images"], out["without_images"]
    out["image_steps_share"] = round(with_images["image_steps_median_s"] / with_images["incremental_cpu_median_s"], 4)
    out["incremental_cpu_ratio"] = round(
        with_images["incremental_cpu_median_s"] / without["incremental_cpu_median_s"], 3
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5, help="incremental publishes per project")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--profile", type=Path, default=None, help="pyinstrument profiles of each project's last incremental publish (FILE-with_images, FILE-without_images)")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    for label in ("without_images", "with_images"):
        row = figures[label]
        print(
            f"{label:<15} images {row['images']:>5}  upload {row['upload_s']:>7.2f} s  full {row['full_wall_s']:>7.2f} s"
            f"  incremental median {row['incremental_median_s']:.3f} s, CPU {row['incremental_cpu_median_s']:.3f} s"
            f"  (image steps, CPU {row['image_steps_median_s']:.4f} s)"
        )
        print(f"  last incremental, image steps (dry run's check and job together): {row['last_incremental_steps_s']}")
    print(
        f"image steps in an incremental publish with no new image: {figures['image_steps_share']:.2%} of its CPU; "
        f"incremental CPU with images / without: {figures['incremental_cpu_ratio']:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
