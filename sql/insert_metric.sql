INSERT INTO metrics VALUES ($run_id, $task, $n, $questions, $accuracy, $ci_low, $ci_high, $chance, $unparseable);
