-- The indicators read the steps they judge (zhizhi_shared::kpi::STEPS_JUDGED_SQL, the same
-- condition word for word, which a test keeps in step) case by case: this index holds those
-- steps with every column read, so a month's timelines are read from it alone, in order.
CREATE INDEX case_steps_judged ON case_steps(case_id, seq) INCLUDE (at, kind, from_state, to_state, task_id)
WHERE kind IN ('dispatch', 'return_task', 'report_back', 'verify', 'rework', 'escalate', 'false_alarm') OR to_state IN ('verifying', 'closed', 'suspended') OR from_state = 'suspended';
-- Device health reads the offline alarms overlapping a period.
CREATE INDEX alarms_offline ON alarms(raised_at) WHERE rule = 'offline';
-- Grade changes are read by period.
CREATE INDEX enterprise_grades_at ON enterprise_grades(at);
