INSERT INTO metrics (run_id, task, n, questions, accuracy, ci_low, ci_high, chance, unparseable,
                     top_letter, top_share, entropy_bits, answer_prior)
VALUES ($run_id, $task, $n, $questions, $accuracy, $ci_low, $ci_high, $chance, $unparseable,
        $top_letter, $top_share, $entropy_bits, $answer_prior);
