DROP TABLE held_documents;
DROP INDEX cases_instrument_reference;
DROP TABLE account_wallets;
DROP TABLE accounts;
