require ["date", "fileinto"];
if allof (currentdate "date" "2026-11-24", currentdate "time" "09:30:00",
          currentdate "weekday" "2", currentdate "zone" "+0000") {
    fileinto "Archive";
}
