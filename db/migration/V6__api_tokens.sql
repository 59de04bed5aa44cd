-- API tokens managed at run time (POST/GET/DELETE /api/v1/tokens). Only the SHA-256 of a token is
-- stored; the token itself is shown once, to the admin who created it. Rows are never deleted: a
-- revoked token keeps who created and who revoked it.
create table api_token (
    id           uuid        primary key,
    name         text        not null check (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    role         text        not null check (role in ('viewer', 'operator', 'admin')),
    token_sha256 text        not null unique check (token_sha256 ~ '^[0-9a-f]{64}$'),
    created_by   text        not null,
    created_at   timestamptz not null,
    expires_at   timestamptz check (expires_at > created_at),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   text,
    check ((revoked_at is null) = (revoked_by is null))
);

-- The token list, newest first.
create index api_token_created on api_token (created_at desc, id desc);
