-- Networks (/24, /64) from which an address has signed in: sign-ins from them are not held
-- back by limits that a stranger elsewhere could spend. Both columns are hashes.
CREATE TABLE known_networks (
    subject TEXT NOT NULL,
    network TEXT NOT NULL,
    last_signin_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject, network)
);
CREATE INDEX known_networks_network ON known_networks (network);
