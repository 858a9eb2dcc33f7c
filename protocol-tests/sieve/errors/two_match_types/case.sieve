if header :is :matches "a" "b" { keep; }
