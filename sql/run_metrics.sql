-- Every metric row of one run. $run_id.
SELECT task, n, questions, accuracy, ci_low, ci_high, chance, unparseable, top_letter, top_share, entropy_bits, answer_prior
FROM metrics WHERE run_id = $run_id
ORDER BY task, n NULLS FIRST;
