-- Many streets in one deployment. A street belongs to its district (streets.district); its
-- communities, and through them its grids and micro-grids, belong to it. A user may be tied to
-- one street (NULL: the whole district); a case keeps the street it was reported in (NULL when
-- it was reported outside every grid by someone of no street: only the district sees it).
ALTER TABLE communities ADD COLUMN street_id INTEGER;
UPDATE communities SET street_id = (SELECT MIN(id) FROM streets);
ALTER TABLE users ADD COLUMN street_id INTEGER;
ALTER TABLE cases ADD COLUMN street_id INTEGER;
UPDATE cases SET street_id = (
    SELECT c.street_id FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.id = cases.grid_id
);
CREATE INDEX cases_street ON cases(street_id, created_at);
CREATE INDEX communities_street ON communities(street_id);
