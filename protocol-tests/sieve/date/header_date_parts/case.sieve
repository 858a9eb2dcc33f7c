require ["date", "fileinto"];
if allof (date :originalzone "date" "year" "2005", date :originalzone "date" "month" "04",
          date :originalzone "date" "day" "05", date :originalzone "date" "hour" "08",
          date :originalzone "date" "weekday" "2", date :originalzone "date" "julian" "53465",
          date :originalzone "date" "zone" "-0700", date :originalzone "date" "time" "08:32:57") {
    fileinto "Archive";
}
