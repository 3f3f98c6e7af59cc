"""Model and name-list files of the entity tagger (package data; rebuilt by training/ner/)."""
