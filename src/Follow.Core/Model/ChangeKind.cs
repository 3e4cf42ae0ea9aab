namespace Follow.Model;

public enum ChangeKind { Insert, Update, Delete }
