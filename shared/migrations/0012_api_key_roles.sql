-- Keys with roles (shared/auth.py, docs/security.md): reporter (scoped to units, as every key was
-- until now), manager, auditor, admin. Only a reporter is scoped to units; the others see all.
ALTER TABLE api_key
    ADD COLUMN role text NOT NULL DEFAULT 'reporter'
        CONSTRAINT api_key_role_known CHECK (role IN ('reporter', 'manager', 'auditor', 'admin')),
    ADD CONSTRAINT api_key_units_for_reporters CHECK (role = 'reporter' OR units IS NULL);
