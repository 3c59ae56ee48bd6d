"""The report's description section (Tarsier2): AutoDQ precision, recall and F1 per model, with
95% intervals by video, and each model's F1 against its parent, paired by video."""
from __future__ import annotations

import json

from fragmentforge.descriptions.preference import FILTER, PAIRS_DATASET
from fragmentforge.evaluate.report_tables import pct
from fragmentforge.evaluate.stats import cluster_bootstrap, f1_bootstrap
from fragmentforge.layout import layout
from fragmentforge.results_db import sql
from fragmentforge.variants import BASE


def _cell(value) -> str:
    return f"{pct(value[0])} [{pct(value[1])}, {pct(value[2])}]"


def write_section(doc, conn, params, root, base: str, models, runs) -> dict | None:
    frames = {v: conn.execute(sql("description_scores"), {"r": r["run_id"]}).fetchdf() for v, r in runs.items()}
    frames = {v: f for v, f in frames.items() if not f.empty}
    if not frames:
        return None
    ev, grounded = params.evaluation, params.tasks.descriptions.grounded
    doc.heading("Descriptions (Tarsier2's AutoDQ)")
    judge = "the ground-truth judge" if params.judge.kind == "ground_truth" else f"model:{params.judge.model}"
    doc.text(f"Each model describes each test video from {params.tasks.descriptions.frames} frames; {judge} extracts "
             "the events of the description and checks each against the other side. Recall: share of the reference's "
             "events the description entails; precision: share of the description's events the reference entails; "
             "F1 of the mean precision and mean recall. Only entailment counts, as in Tarsier's own evaluation; a "
             "description with no events scores 0 there (Tarsier's script gives 1). 95% intervals by video. "
             f"Trained targets are {'frame-grounded (<frame: i-j> before each event)' if grounded else 'plain'}; "
             "markers are left out before scoring, and 'valid spans' is the share of replies with markers whose "
             "spans lie inside the frames shown, in order.")
    header = ["model", "videos", "precision", "recall", "F1", "ΔF1 vs parent", "replies with spans", "valid spans"]
    rows, summary = [], {}
    for model in models:
        frame = frames.get(model.variant)
        if frame is None:
            continue
        scored = frame[frame["judge_status"] == "ok"]
        p, r, videos = scored["precision"].to_numpy(float), scored["recall"].to_numpy(float), scored["video_id"].to_numpy()
        seeds = (ev.bootstrap_resamples, ev.seed)
        f1 = f1_bootstrap(p, r, videos, *seeds)
        parent = model.parent or (BASE if model.variant != BASE else None)
        delta = "–"
        if parent in frames:
            other = frames[parent].set_index("desc_id").loc[scored["desc_id"]]
            both = other["judge_status"].to_numpy() == "ok"
            d = f1_bootstrap(p[both], r[both], videos[both], *seeds,
                             baseline=(other["precision"].to_numpy(float)[both], other["recall"].to_numpy(float)[both]))
            delta = f"{100 * d[0]:+.1f} [{100 * d[1]:+.1f}, {100 * d[2]:+.1f}] vs {parent}"
        with_spans = frame[frame["spans"] > 0]
        rows.append([model.label, len(scored), _cell(cluster_bootstrap(p, videos, *seeds)),
                     _cell(cluster_bootstrap(r, videos, *seeds)), _cell(f1), delta, f"{len(with_spans)} of {len(frame)}",
                     pct((with_spans["span_problems"] == "").mean()) if len(with_spans) else "–"])
        summary[model.variant] = {"f1": f1[0], "f1_low": f1[1], "f1_high": f1[2], "videos": int(len(scored))}
    doc.table(header, rows)
    for variant in params.training.variants:
        pairs = layout(params, root).adapter(base, variant.name) / "pairs" / FILTER
        if variant.stage == "dpo" and PAIRS_DATASET in variant.datasets:
            if not pairs.is_file():
                doc.text(f"{variant.label or variant.name}: no preference pairs recorded (not trained).")
                continue
            f = json.loads(pairs.read_text())
            removed = ", ".join(f"{n} {c}" for c, n in f["failed"].items())
            doc.text(f"{variant.label or variant.name}: {f['candidates']} preference pairs sampled from {variant.parent} "
                     f"(temperature {f['sampling']['temperature']}, top_p {f['sampling']['top_p']}), {f['kept']} kept by "
                     f"the filter (δ = {f['delta']}); failing each condition (a pair may fail several): {removed}. "
                     "Its effect on the multiple-choice tasks is in the comparison with its parent above.")
            summary.setdefault("pairs", {})[variant.name] = {"candidates": f["candidates"], "kept": f["kept"]}
    quarantined = sum(int((f["judge_status"] != "ok").sum()) for f in frames.values())
    if quarantined:
        doc.text(f"{quarantined} descriptions could not be judged (quarantined with their reasons in "
                 "description_scores) and are left out above.")
    return summary
