-- MA-Bench's open-ended answers (MADU, MARE) per run, each scored 0-5 on three levels by the
-- judge; gt_* are the ground-truth judge's scores of the same answer (the judge's own when it is that judge).
CREATE TABLE IF NOT EXISTS open_ended_scores (
    run_id VARCHAR, oe_id VARCHAR, task VARCHAR, video_id VARCHAR, reply VARCHAR,
    l1 INTEGER, l2 INTEGER, l3 INTEGER, judge_status VARCHAR, judge_reason VARCHAR, judge_source VARCHAR,
    gt_l1 INTEGER, gt_l2 INTEGER, gt_l3 INTEGER
);
