DROP TABLE bundles;
DROP TABLE productions;
DROP TABLE signing_keys;
