require "include";
include "d2";
