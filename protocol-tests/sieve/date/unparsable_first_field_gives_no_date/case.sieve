require ["date", "relational", "comparator-i;ascii-numeric"];
if anyof (date :count "ne" :comparator "i;ascii-numeric" "date" "year" "0",
          date :value "eq" "date" "year" "2005") { discard; }
