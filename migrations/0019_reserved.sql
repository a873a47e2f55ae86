-- Reserved: the number of a migration another branch adds. This branch's
-- migrator runs migrations without gaps, so it holds this no-op in its
-- place; the merge drops this file for that branch's 0019.
SELECT 1;
