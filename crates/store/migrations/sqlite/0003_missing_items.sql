-- The indicator-1 items each sheet lacks (space-separated codes), computed from the text the
-- editor shows (the draft when there is one) at every write, so that the back-office list needs
-- no sheet body. NULL until computed: the store fills it at start for older rows.
ALTER TABLE programs ADD COLUMN missing_items TEXT;
