INSERT INTO task_validation VALUES ($data_hash, $records, $check_name, $expectation, $column_name, $success,
                                    $unexpected_count, $observed);
