reject "no";
