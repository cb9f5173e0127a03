"""The write paths: importing files, refreshing subscriptions, subscribing, fetching articles.
Each parses with sources/, writes through store/ and runs the analysis after."""
