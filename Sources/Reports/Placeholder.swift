// The Reports module: replaced by the report writers.
