-- A venue's reception desk is told of accommodations decided for trainees (handicap).
ALTER TABLE venues ADD COLUMN email TEXT;
