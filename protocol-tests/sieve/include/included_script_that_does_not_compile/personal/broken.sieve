nonsense;
