require ["date", "relational", "fileinto"];
if allof (currentdate :value "ge" "date" "2026-12-01", currentdate :value "le" "date" "2026-12-31") {
    fileinto "Archive";
}
