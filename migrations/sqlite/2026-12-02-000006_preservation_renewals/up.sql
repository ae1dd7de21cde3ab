-- 18 USC 2703(f)(2): a preservation is renewed once; the number allowed is fixed when it is made.
ALTER TABLE preservations ADD COLUMN renewals_allowed INTEGER NOT NULL DEFAULT 1;
