-- Issue 17: problems (tracked work on a cluster of feedback) with their linked tickets,
-- their own timeline and their improvement actions. Each row keeps the whole record as a
-- JSON document (`doc`) and copies out the columns lists filter and sort on. Instants are
-- unix ms.
CREATE TABLE problems (
    id BIGSERIAL PRIMARY KEY,
    state TEXT NOT NULL,
    department_id BIGINT,
    owner_id BIGINT,
    cluster_id BIGINT,
    due_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX problems_state ON problems (state, id);
CREATE INDEX problems_department ON problems (department_id, id);

-- A ticket may belong to several problems; a ticket page looks its problems up by ticket.
CREATE TABLE problem_tickets (
    problem_id BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (problem_id, ticket_id)
);
CREATE INDEX problem_tickets_ticket ON problem_tickets (ticket_id);

-- Append-only, like a ticket's events: who (NULL for the system), when, what, details.
CREATE TABLE problem_events (
    id BIGSERIAL PRIMARY KEY,
    problem_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, id);

CREATE TABLE problem_actions (
    id BIGSERIAL PRIMARY KEY,
    problem_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    department_id BIGINT,
    owner_id BIGINT,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX problem_actions_problem ON problem_actions (problem_id, id);
CREATE INDEX problem_actions_owner ON problem_actions (owner_id, state, due_at);
CREATE INDEX problem_actions_department ON problem_actions (department_id, state, due_at);
