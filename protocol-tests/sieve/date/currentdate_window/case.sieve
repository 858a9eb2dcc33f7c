require ["date", "relational", "fileinto"];
if allof (currentdate :value "ge" "date" "2026-11-20", currentdate :value "le" "date" "2026-11-30") {
    fileinto "Archive";
}
