DROP TABLE non_execution_answers;
