-- The règlement intérieur (internal rules, Code du travail L.6352-3), one PDF the convocations
-- point to (Qualiopi indicator 9).
ALTER TABLE organisation ADD COLUMN rules_pdf BLOB;
ALTER TABLE organisation ADD COLUMN rules_updated_at TEXT;
