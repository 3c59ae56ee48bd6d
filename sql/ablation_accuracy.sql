-- An ablation's accuracy per arm and task, straight from the collected predictions. $ablation, $base.
SELECT arm, task, avg(CASE WHEN correct THEN 1.0 ELSE 0.0 END) AS accuracy, count(*) AS questions,
    count(DISTINCT video_id) AS videos
FROM ablation_predictions WHERE ablation = $ablation AND base_model = $base GROUP BY arm, task ORDER BY arm, task;
