require ["date", "relational", "comparator-i;ascii-numeric"];
if anyof (date :count "eq" :comparator "i;ascii-numeric" "date" "year" "1",
          date :value "eq" "date" "year" "2005") { discard; }
