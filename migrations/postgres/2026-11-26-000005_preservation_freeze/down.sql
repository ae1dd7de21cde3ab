DROP TABLE freezes;
DROP TABLE preservations;
