-- The totals of a Crowdfunding Civico database, one figure set a line (docs/OPERATIONS.md).
-- Run it on the database that was backed up and on the one restored from it: the two outputs
-- must be the same, line by line.
--   psql -X -A -t -v ON_ERROR_STOP=1 -f docs/backup-totals.sql "$PGURL"

SELECT 'edition', year, is_published, coalesce(budget_cents, 0)
FROM edition ORDER BY year;

SELECT 'accounts', role, count(*), count(totp_enabled_at)
FROM user_account GROUP BY role ORDER BY role;

SELECT 'organisations', count(*)
FROM organisation;

SELECT 'applications', e.year, a.status, count(*), coalesce(sum(a.total_cost_cents), 0),
       coalesce(sum(a.reserved_cents), 0), coalesce(max(a.protocol_number), '-')
FROM application a JOIN edition e ON e.id = a.edition_id
GROUP BY e.year, a.status ORDER BY e.year, a.status;

SELECT 'attachments', count(*), coalesce(sum(size_bytes), 0),
       md5(coalesce(string_agg(sha256, ',' ORDER BY sha256), ''))
FROM attachment;

-- Each campaign's running totals and grant: what its page and the gallery show.
SELECT 'campaign', slug, goal_cents, target_cents, reserved_cents, confirmed_cents, pending_cents,
       supporters, coalesce(grant_cents, 0), grant_committed_at IS NOT NULL, closed_at IS NOT NULL
FROM campaign ORDER BY slug;

-- The co-funding ledger of each edition: what is reserved, what is granted, against the budget.
SELECT 'cofunding', e.year, coalesce(e.budget_cents, 0), count(c.id), coalesce(sum(c.reserved_cents), 0),
       count(c.grant_committed_at), coalesce(sum(c.grant_cents), 0), coalesce(sum(c.confirmed_cents), 0)
FROM edition e LEFT JOIN campaign c ON c.edition_id = e.id
GROUP BY e.year, e.budget_cents ORDER BY e.year;

SELECT 'pledges', status, count(*), sum(amount_cents)
FROM pledge GROUP BY status ORDER BY status;

SELECT 'payments', (SELECT count(*) FROM provider_event), (SELECT count(*) FROM bank_transaction),
       (SELECT coalesce(sum(amount_cents), 0) FROM bank_transaction);

SELECT 'registrations', status, count(*)
FROM registration GROUP BY status ORDER BY status;

SELECT 'outbox', count(*), count(sent_at)
FROM outbox_message;

SELECT 'audit log', count(*), coalesce(max(id), 0)
FROM audit_entry;
