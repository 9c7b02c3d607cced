namespace RawEdit.Evaluation.World;

/// <summary>Everyday words for the filler sentences; none of them is an object of a relation.</summary>
internal static class FillerWords
{
    public static readonly string[] People =
    [
        "Anna", "Tom", "Maria", "Sam", "Lucy", "Peter", "Emma", "Jack", "Sara", "Ben",
        "Nina", "Leo", "Kate", "Max", "Ruth", "Paul", "Clara", "Hugo", "Ella", "Oscar",
    ];

    public static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public static readonly string[] Months =
    [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ];

    public static readonly string[] TimesOfDay = ["morning", "afternoon", "evening", "night"];

    public static readonly string[] WeatherAdjectives = ["cold", "warm", "windy", "cloudy", "bright", "grey", "wet", "quiet", "hot", "foggy"];

    public static readonly string[] WeatherNouns = ["rain", "snow", "wind", "storm", "fog", "heat", "frost", "sunshine"];

    /// <summary>Plural foods, so a count can stand before them.</summary>
    public static readonly string[] Foods =
    [
        "apples", "eggs", "carrots", "potatoes", "oranges", "tomatoes", "onions", "pears", "lemons", "cookies", "plums", "peaches",
    ];

    public static readonly string[] Dishes = ["soup", "rice", "bread", "pasta", "porridge", "stew", "pancakes", "salad"];

    public static readonly string[] Bakes = ["bread", "pies", "cakes", "cookies", "rolls", "muffins", "biscuits"];

    public static readonly string[] Drinks = ["tea", "water", "milk", "coffee", "juice", "cocoa"];

    public static readonly string[] Places =
    [
        "the park", "the market", "the library", "the river", "the station", "the bakery",
        "the school", "the garden", "the beach", "the museum", "the harbour", "the post office",
    ];

    public static readonly string[] Animals = ["dog", "cat", "horse", "bird", "rabbit", "goat", "duck", "fox", "sheep", "cow", "owl", "frog"];

    public static readonly string[] AnimalsPlural =
    [
        "dogs", "cats", "horses", "birds", "rabbits", "goats", "ducks", "foxes", "sheep", "cows", "owls", "frogs",
    ];

    public static readonly string[] Colours = ["red", "blue", "green", "yellow", "white", "black", "brown", "orange", "purple", "pink"];

    public static readonly string[] Things =
    [
        "book", "cup", "bag", "lamp", "chair", "bicycle", "kite", "letter", "hat", "scarf", "basket", "clock",
    ];

    public static readonly string[] Trees = ["oak", "pine", "willow", "birch", "apple tree", "maple"];

    public static readonly string[] Plants = ["roses", "beans", "tulips", "herbs", "sunflowers", "peas"];

    public static readonly string[] Feelings = ["happy", "tired", "hungry", "calm", "excited", "sleepy", "cheerful", "busy"];

    public static readonly string[] Chores =
    [
        "washed the dishes", "cleaned the windows", "swept the floor", "fed the animals",
        "painted the fence", "fixed the roof", "watered the plants", "folded the laundry",
    ];

    /// <summary>Number words from zero to twenty, indexed by value.</summary>
    public static readonly string[] Numbers =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];
}
